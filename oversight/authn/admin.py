"""Second-factor devices stay out of the admin: their secrets would let whoever reads them pass as
their owner, and a lost device is reset by a supervisor on the staff pages, not edited here."""

from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
