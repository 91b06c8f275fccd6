//! Steps in one shape: each observes AWS once into a plain value, and judges and plans from that
//! same value with pure functions, so a step's verdict and its plan can never disagree.
//! identity-center is the first step in this shape; the others still live in `checks/` and `plans/`.

pub mod identity_center;
