//! diff (in progress)
