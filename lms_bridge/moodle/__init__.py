"""Moodle: a site's web services read into the register (client.py is the web-service client)."""
