"""Survey results: what customers said about a widget, entered or imported, and
the figures derived from it."""
