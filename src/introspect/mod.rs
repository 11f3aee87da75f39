//! introspect (in progress)
