"""Career plans (个人职业发展规划): a private plan per person and year, started by the director."""
