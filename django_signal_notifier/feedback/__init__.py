"""Feedback from providers: their delivery events update the Delivery rows and suppress dead addresses.

Email through django-anymail's ``tracking`` signal (:mod:`.anymail`), SMS through Twilio's status
callbacks (:mod:`.twilio`); both go through :func:`.record.record_provider_event`.
"""
