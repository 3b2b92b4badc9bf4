"""Herald's messages: templates, locales, formatting, SMS encoding, compliance and cost.

The public entry point is :func:`messaging.render.render_message`.
"""
