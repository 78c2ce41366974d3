"""Application services: plain values in, plain values out, one unit of work each."""
