"""Django's own form messages that another installed catalog (Django REST framework's) translates
differently. An app's catalog outranks Django's core one, so without these the Spanish forms would
switch wording ("Este campo es requerido."); listed here, the project's catalog, which outranks
both, keeps Django's wording on every form."""

from django.utils.translation import gettext_noop

DJANGO_FORM_MESSAGES = (
    gettext_noop("This field is required."),
    gettext_noop("No file was submitted."),
    gettext_noop("The submitted file is empty."),
    gettext_noop("Upload a valid image. The file you uploaded was either not an image or a corrupted image."),
    gettext_noop("Value must be valid JSON."),
)
