"""Colours the maps share, written once here and handed to the scripts as data.

No folium here: the printed brief and its PDF (matplotlib, fpdf) use the same colours.
"""

from __future__ import annotations

#: what the reader is pointed at: the chosen unit's outline, the route and its stops, the unit under
#: the pointer on the choropleth, the best candidate coordinate system
HIGHLIGHT = "#d7301f"
#: a site's geometry while it is edited or drawn
EDITING = "#d62728"
#: reference features a name search found, drawn over their layers
FOUND = "#ffd700"
#: faint outlines of administrative units
OUTLINE = "#555"
#: the candidate coordinate systems on the comparison map, best first
CANDIDATES = (HIGHLIGHT, "#2171b5", "#238b45", "#6a51a3", "#ff7f00", "#000000")
