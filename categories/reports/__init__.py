"""Reports for managers: what the entries screen, the CSV exports and the workspace
overview read and show.

`calculations` is pure (totals, comparisons, breakdowns, series, charts: no Django);
`entries` is the entries read model (a category's entries in a range, date windows,
sort); `selectors` is what the report screens read; `presenters` the display dataclasses;
`exports` the CSV lines; `dates` the range presets; `forms` the screens' URL input;
`views` and `urls` the screens. It may import `categories.asana`, the frame
(`categories.web`), the access decorators and the category selectors; nothing imports
the reports but the URLconf.
"""
