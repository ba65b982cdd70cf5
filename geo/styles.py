"""placeholder"""
def qml(lang: str = "vi") -> str:
    return ""
def sld(lang: str = "vi") -> str:
    return ""
