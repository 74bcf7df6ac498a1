"""Source text: decoding, positions, atomic writes, notebooks, walking directories."""
