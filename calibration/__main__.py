"""`python -m calibration [--quick]`: the real-weeks and convergence tables in docs/METHOD.md."""

from __future__ import annotations

from calibration import convergence, real_weeks

if __name__ == "__main__":
    real_weeks.main()
    convergence.main()
