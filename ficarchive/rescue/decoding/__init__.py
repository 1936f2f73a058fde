"""Bytes to text: sniffing the input, choosing the encoding, undoing mojibake and control bytes.

The first stage of rescue (see ``../shared/DESIGN.md``): `decode.decode` turns the bytes of
a file into one Unicode text, recording every change in the rescue log.
"""
