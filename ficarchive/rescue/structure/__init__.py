"""Blocks to a Work: what each block is (title, byline, header field, body, ...) and the
Work's fields, chapters and scene breaks assembled from it.
"""
