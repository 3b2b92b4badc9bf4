"""The content filter's rules, a module per category carriers filter (see
:mod:`messaging.content_rules`, which gathers them in order, for how the patterns are written).
"""
