"""Training: data (synthetic + real), losses, the loop and its two-stage schedules."""
