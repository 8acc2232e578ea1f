"""Form helpers shared by every area."""

from html import escape as escape_text
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import mark_safe


def add_usa_classes(form: forms.BaseForm) -> None:
    """USWDS classes on widgets, and error ids in aria-describedby, before rendering."""
    for name, field in form.fields.items():
        widget = field.widget
        css = {
            # CheckboxSelectMultiple is a RadioSelect subclass in Django: test it first.
            forms.CheckboxSelectMultiple: "usa-checkbox__input",
            forms.RadioSelect: "usa-radio__input",
            forms.CheckboxInput: "usa-checkbox__input",
            forms.Select: "usa-select",
            forms.Textarea: "usa-textarea",
            forms.HiddenInput: "",
        }
        for kind, value in css.items():
            if isinstance(widget, kind):
                klass = value
                break
        else:
            klass = "usa-file-input" if isinstance(widget, forms.ClearableFileInput) else "usa-input"
        if klass:
            widget.attrs["class"] = klass
        if form.is_bound and form.errors.get(name):
            bound = form[name]
            described = [f"{bound.auto_id}_error"]
            if field.help_text:
                described.append(f"{bound.auto_id}_helptext")
            widget.attrs["aria-describedby"] = " ".join(described)
            if not isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                widget.attrs["aria-invalid"] = "true"


def add_service_errors(form: forms.BaseForm, error: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """Put a service's ValidationError on the form: on the field it names when the form has it
    (or its alias), otherwise at the top."""
    aliases = aliases or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        field = aliases.get(name, name)
        form.add_error(field if field in form.fields else None, errors)


class PlainSelect(forms.Select):
    """A ``Select`` whose options are written in Python instead of one template render per option.

    The same markup as Django's select: for a list of thousands of choices (every officer a published
    record names) the template renders took most of the page's time. Grouped choices fall back to
    Django's own rendering."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> str:
        if any(isinstance(label, list | tuple) for _key, label in self.choices):
            return super().render(name, value, attrs, renderer)
        final = self.build_attrs(self.attrs, attrs)
        chosen = {str(v) for v in self.format_value(value)}
        parts = [f'<select name="{escape(name)}"{flatatt(final)}>']
        found = False
        for key, label in self.choices:
            key = "" if key is None else str(key)
            selected = not found and key in chosen
            found = found or selected
            mark = " selected" if selected else ""
            parts.append(f'<option value="{escape_text(key)}"{mark}>{escape_text(str(label))}</option>')
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308  # nosec B703 B308: every value and label is escaped above
