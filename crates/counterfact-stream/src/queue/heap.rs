//! A binary-heap priority queue that breaks ties by insertion sequence number.

use super::PriorityQueue;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

struct Entry<T, P> {
    priority: P,
    seq: u64,
    element: T,
}

impl<T, P: Ord> Ord for Entry<T, P> {
    // Greater priority first; among equals the smaller sequence number (earlier insert) first.
    fn cmp(&self, other: &Self) -> Ordering {
        self.priority
            .cmp(&other.priority)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

impl<T, P: Ord> PartialOrd for Entry<T, P> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T, P: Ord> PartialEq for Entry<T, P> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<T, P: Ord> Eq for Entry<T, P> {}

/// A binary max-heap (Williams 1964, via `std::collections::BinaryHeap`) ordered by
/// (priority, reversed insertion sequence number), so equal priorities leave in insertion
/// order. Insert and delete O(log n), peek O(1). The 64-bit sequence counter cannot wrap in
/// practice (2^64 inserts).
///
/// ```
/// use counterfact_stream::{HeapQueue, PriorityQueue};
/// let mut q = HeapQueue::with_capacity(4);
/// for (element, priority) in [("a", 2), ("b", 7), ("c", 2), ("d", 7)] {
///     q.insert(element, priority);
/// }
/// let order: Vec<_> = std::iter::from_fn(|| q.delete()).collect();
/// assert_eq!(order, ["b", "d", "a", "c"]);
/// ```
pub struct HeapQueue<T, P> {
    heap: BinaryHeap<Entry<T, P>>,
    next_seq: u64,
}

impl<T, P: Ord> HeapQueue<T, P> {
    /// An empty queue.
    pub fn new() -> Self {
        HeapQueue {
            heap: BinaryHeap::new(),
            next_seq: 0,
        }
    }

    /// An empty queue with room for `capacity` elements before reallocating.
    pub fn with_capacity(capacity: usize) -> Self {
        HeapQueue {
            heap: BinaryHeap::with_capacity(capacity),
            next_seq: 0,
        }
    }
}

impl<T, P: Ord> Default for HeapQueue<T, P> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T, P: Ord> PriorityQueue<T, P> for HeapQueue<T, P> {
    fn insert(&mut self, element: T, priority: P) {
        let seq = self.next_seq;
        self.next_seq = self.next_seq.wrapping_add(1);
        self.heap.push(Entry {
            priority,
            seq,
            element,
        });
    }

    fn delete_entry(&mut self) -> Option<(T, P)> {
        self.heap.pop().map(|entry| (entry.element, entry.priority))
    }

    fn peek_entry(&self) -> Option<(&T, &P)> {
        self.heap
            .peek()
            .map(|entry| (&entry.element, &entry.priority))
    }

    fn peek(&self) -> Option<&T> {
        self.heap.peek().map(|entry| &entry.element)
    }

    fn len(&self) -> usize {
        self.heap.len()
    }
}
