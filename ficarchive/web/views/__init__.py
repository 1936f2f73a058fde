"""One module a page type; each has a ``router`` that the app includes."""
