"""任职资格: role qualification levels per team (framework, current levels, yearly assessments)."""
