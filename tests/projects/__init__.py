"""Real legacy projects from PyPI, run before and after `tfmend fix`: do their programs work?"""
