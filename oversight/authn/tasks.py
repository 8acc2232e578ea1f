from celery import shared_task


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_password_reset(user_id: int, base_url: str, language: str) -> bool:
    """Email one account its password reset link, made here so that no link travels through the queue.

    In the account's preferred language; for an account that chose none, in ``language`` (the
    language of the page the reset was asked from)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.tokens import default_token_generator
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import translation
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from oversight.staff_accounts.selectors import preferred_language

    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return False
    path = reverse(
        "staff:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    context = {
        "user": user,
        "link": f"{base_url}{path}",
        "minutes": max(1, settings.PASSWORD_RESET_TIMEOUT // 60),
        "body_name": settings.OVERSIGHT_BODY_NAME,
    }
    with translation.override(preferred_language(user, default=language)):
        subject = " ".join(render_to_string("authn/email/password_reset_subject.txt", context).split())
        body = render_to_string("authn/email/password_reset_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    return True
