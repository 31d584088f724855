//! # counterfact-stream
//!
//! Streaming pipeline primitives used by counterfact's data layer. No I/O, no dependencies.
//!
//! - [`queue`]: priority queues in which equal priorities leave in insertion order (FIFO
//!   tie-breaking), behind one [`PriorityQueue`] trait:
//!   - [`ArenaListQueue`]: a singly linked list kept in descending priority order, stored in a
//!     `Vec` arena with index links, a free list and an O(1) tail pointer. O(n) insert, O(1)
//!     delete/peek/last. Fastest for small queues.
//!   - [`LinkedListQueue`]: the textbook `Option<Box<Node>>` list without a tail; `last()` walks.
//!   - [`HeapQueue`]: a binary heap keyed by (priority, insertion sequence number).
//!     O(log n) insert/delete. Fastest beyond the crossover measured in `docs/primitives.md`.
//! - [`reorder`]: [`ReorderBuffer`], which accepts out-of-order events and releases them in
//!   timestamp order (arrival order for equal timestamps) up to a watermark.

pub mod queue;
pub mod reorder;

pub use queue::{ArenaListQueue, HeapQueue, LinkedListQueue, PriorityQueue};
pub use reorder::{LateEvent, ReorderBuffer};
