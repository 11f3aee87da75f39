//! embedded (in progress)
