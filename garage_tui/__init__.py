"""The staff terminal app (Textual): a thin, keyboard-first shell over the `shop` services."""
