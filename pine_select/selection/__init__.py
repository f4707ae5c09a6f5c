"""Balanced portfolio selection: the integer program, its solver and its explanations.

``problem`` describes the program without a solver; ``optimiser`` (the only module that
imports PuLP) solves it; ``explain`` and ``conflicts`` turn re-solves into reasons;
``select`` ties them together in :func:`select_portfolio`.
"""
