"""`python -m calibration [--quick]`: the real-weeks tables in docs/METHOD.md."""

from __future__ import annotations

from calibration.real_weeks import main

if __name__ == "__main__":
    main()
