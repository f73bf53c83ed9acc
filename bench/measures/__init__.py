"""The measures of `make bench`, one small module each; bench/run.py orchestrates them."""
