"""One module per area of the app; each holds the pane (and its dialogs) shown in that area's tab."""
