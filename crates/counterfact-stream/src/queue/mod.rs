//! Priority queues with FIFO tie-breaking: among equal priorities the element inserted first
//! leaves first, so a queue drains exactly as a stable sort by descending priority would order
//! its elements.
//!
//! Priorities are any `P: Ord` (the full range of `i64`, `u64`, tuples, `Reverse<_>` for
//! min-queues, ...). Floating-point priorities need a total order wrapper such as one built on
//! [`f64::total_cmp`]. An empty queue answers `None`, never panics.

mod arena;
mod heap;
mod linked;

pub use arena::ArenaListQueue;
pub use heap::HeapQueue;
pub use linked::LinkedListQueue;

/// A max-priority queue with FIFO tie-breaking (the common interface of the three queues).
///
/// ```
/// use counterfact_stream::{HeapQueue, PriorityQueue};
/// let mut q = HeapQueue::new();
/// q.insert("b", 1);
/// q.insert("a", 5);
/// q.insert("c", 1);
/// assert_eq!(q.peek(), Some(&"a"));
/// assert_eq!(q.delete(), Some("a"));
/// assert_eq!(q.delete(), Some("b")); // equal priorities leave in insertion order
/// assert_eq!(q.delete(), Some("c"));
/// assert_eq!(q.delete(), None);
/// ```
pub trait PriorityQueue<T, P: Ord> {
    /// Adds `element` with `priority`; it leaves after every element of greater priority and
    /// after every element of equal priority inserted before it.
    fn insert(&mut self, element: T, priority: P);

    /// Removes and returns the highest-priority element with its priority; `None` when empty.
    fn delete_entry(&mut self) -> Option<(T, P)>;

    /// The highest-priority element and its priority without removing it; `None` when empty.
    fn peek_entry(&self) -> Option<(&T, &P)>;

    /// Number of elements held.
    fn len(&self) -> usize;

    /// Removes and returns the highest-priority element; `None` when empty.
    fn delete(&mut self) -> Option<T> {
        self.delete_entry().map(|(element, _)| element)
    }

    /// The highest-priority element without removing it; `None` when empty.
    fn peek(&self) -> Option<&T>;

    /// Whether the queue holds no element.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
