"""Text that would break what is built from it later: control characters (NUL, ESC, C1 codes...)
in a site's fields make the XLSX export fail for everyone and hide text in tables. Refused per
field, naming the feature, before anything is stored (issue #10)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from geo.ingest.report import ERROR, Problems

#: C0 controls except tab, line feed, carriage return; DEL; C1 controls; non-characters
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def check_control_characters(frame: pd.DataFrame, problems: Problems) -> None:
    """Add an error for every text field of ``frame`` (schema fields, one row per feature) that
    holds a control character, naming it as U+XXXX and where it is."""
    for fld in frame.columns:
        col = frame[fld]
        if not (pd.api.types.is_object_dtype(col) or pd.api.types.is_string_dtype(col)):
            continue
        text = col.where(col.map(lambda v: isinstance(v, str)), "")
        hits = np.flatnonzero(text.str.contains(CONTROL).to_numpy(dtype=bool))
        for i in hits.tolist():
            value = str(text.iat[i])
            m = CONTROL.search(value)
            assert m is not None
            code = f"U+{ord(m.group()):04X}"
            problems.add(i, str(fld), value.replace(m.group(), "�"), ERROR,
                         f"chứa ký tự điều khiển {code} ở vị trí {m.start() + 1}; hãy xóa nó (thường do sao chép từ "
                         "phần mềm khác).",
                         f"holds the control character {code} at position {m.start() + 1}; remove it (it usually "
                         "comes from copying out of other software).")
