//! Charts, generic over plotters' `DrawingBackend` (canvas in the page, SVG natively):
//! [`run`] draws one run's trajectories, [`sweep`] a sweep's views.

pub mod run;
pub mod sweep;
