//! Terminal and JSON rendering of experiment readouts.
