"""The site's settings with the floors mounted, for the server that drives the intake floor."""

from oversight.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
