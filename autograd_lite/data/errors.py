"""Errors raised when a data file is missing, corrupt or cannot be downloaded."""


class DataFileError(ValueError):
    """A data file exists but is not what it should be (bad format, truncated, wrong checksum).

    The message names the file, says what is wrong with it and how to fix it.
    """


class DownloadError(OSError):
    """No mirror could deliver a good copy of a file; the message lists each attempt."""
