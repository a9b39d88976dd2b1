"""Meeting cycles: the weekly core meeting and the period meetings (月会/季度会/半年会/年会)."""
