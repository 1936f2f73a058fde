"""Text to blocks: the HTML, plain-text, mail, Markdown and EPUB readers, and page furniture.

The second stage of rescue: each reader turns decoded text into a list of `Block`s (see
`block`), the one shape the structure stage reads.
"""
