"""Desk core without Qt: paths, atomic files, merchant profiles, the keychain, settings, logging.

Nothing in this package imports Qt; the GUI builds its wizard and settings screens on top.
"""
