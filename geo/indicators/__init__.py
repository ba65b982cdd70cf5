"""Programme 03 indicators, one job per module:

- :mod:`geo.indicators.registry` — the definitions: ``data/indicators.yaml`` overlaid by editors'
  definitions in the store (:class:`~geo.indicators.registry.Indicator`, its target, parsing).
- :mod:`geo.indicators.progress` — where an indicator stands at a date (``Progress``), statuses,
  the programme window, reading dates.
- :mod:`geo.indicators.measure` — the sites behind an indicator, the date each counts from, counts,
  lengths (km) and areas (ha) in EPSG:3405, city-wide and per district or commune (``by_unit``).
- :mod:`geo.indicators.judge` — status against the straight line from the programme start to its
  end, with the reason in words (``compute``), each unit's lag, the indicator furthest behind.
- :mod:`geo.indicators.history` — the dates an indicator's value changed; the chart's step series.
- :mod:`geo.indicators.edits` — editors' changes (definitions, values, pledges), each checking
  ``geo.auth.require(user, "indicators")`` itself.
- :mod:`geo.indicators.dashboard` — what the indicators page shows, shaped for it (links to the map,
  the by-unit table, pickers).
- :mod:`geo.indicators.report` — CSV, XLSX and the one-page PDF (imports matplotlib and fpdf).
"""
