//! A singly linked priority list stored in a `Vec` arena with index links and a tail index.

use super::PriorityQueue;

/// End-of-list marker for index links.
const NIL: usize = usize::MAX;

enum Slot<T, P> {
    Used {
        element: T,
        priority: P,
        next: usize,
    },
    Free {
        next_free: usize,
    },
}

/// A singly linked list kept in descending priority order (Sedgewick & Wayne, *Algorithms*,
/// 4th ed., §2.4), stored in a `Vec` arena: links are indices, freed slots are chained in a free
/// list and reused, and a tail index makes [`ArenaListQueue::last`] and appends of the lowest
/// priority O(1).
///
/// Why an arena: a tail pointer into an `Option<Box<Node>>` chain would alias the box owned by
/// the previous node, which safe Rust forbids; indices give the same O(1) tail without `unsafe`
/// and keep the extra space at one index per element. Insert O(n) (O(1) when the new element
/// goes to the tail, e.g. non-increasing priorities), delete/peek/last O(1). The arena keeps its
/// high-water capacity.
///
/// ```
/// use counterfact_stream::{ArenaListQueue, PriorityQueue};
/// let mut q = ArenaListQueue::new();
/// q.insert("low", 1u8);
/// q.insert("high", 9);
/// q.insert("low too", 1);
/// assert_eq!(q.last(), Some(&"low too"));
/// assert_eq!(q.delete_entry(), Some(("high", 9)));
/// assert_eq!(q.len(), 2);
/// ```
pub struct ArenaListQueue<T, P> {
    slots: Vec<Slot<T, P>>,
    head: usize,
    tail: usize,
    free: usize,
    len: usize,
}

impl<T, P: Ord> ArenaListQueue<T, P> {
    /// An empty queue.
    pub fn new() -> Self {
        ArenaListQueue {
            slots: Vec::new(),
            head: NIL,
            tail: NIL,
            free: NIL,
            len: 0,
        }
    }

    /// An empty queue with room for `capacity` elements before reallocating.
    pub fn with_capacity(capacity: usize) -> Self {
        ArenaListQueue {
            slots: Vec::with_capacity(capacity),
            ..Self::new()
        }
    }

    /// The lowest-priority element (the one that would leave last) through the tail index:
    /// O(1). `None` when empty.
    pub fn last(&self) -> Option<&T> {
        self.entry(self.tail).map(|(element, _)| element)
    }

    /// Elements in the order they would leave, without removing them.
    pub fn iter(&self) -> impl Iterator<Item = (&T, &P)> {
        let mut cursor = self.head;
        std::iter::from_fn(move || {
            let entry = self.entry(cursor)?;
            cursor = self.next_of(cursor);
            Some(entry)
        })
    }

    fn entry(&self, index: usize) -> Option<(&T, &P)> {
        match self.slots.get(index) {
            Some(Slot::Used {
                element, priority, ..
            }) => Some((element, priority)),
            _ => None,
        }
    }

    fn priority_of(&self, index: usize) -> Option<&P> {
        self.entry(index).map(|(_, priority)| priority)
    }

    fn next_of(&self, index: usize) -> usize {
        match self.slots.get(index) {
            Some(Slot::Used { next, .. }) => *next,
            _ => NIL,
        }
    }

    fn set_next(&mut self, index: usize, value: usize) {
        if let Some(Slot::Used { next, .. }) = self.slots.get_mut(index) {
            *next = value;
        }
    }

    fn allocate(&mut self, slot: Slot<T, P>) -> usize {
        if self.free == NIL {
            self.slots.push(slot);
            return self.slots.len() - 1;
        }
        let index = self.free;
        self.free = match std::mem::replace(&mut self.slots[index], slot) {
            Slot::Free { next_free } => next_free,
            Slot::Used { .. } => NIL,
        };
        index
    }
}

impl<T, P: Ord> Default for ArenaListQueue<T, P> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T, P: Ord> PriorityQueue<T, P> for ArenaListQueue<T, P> {
    fn insert(&mut self, element: T, priority: P) {
        // Find the last node whose priority is >= the new one (ties keep insertion order).
        let prev = if self.priority_of(self.tail).is_some_and(|p| *p >= priority) {
            self.tail
        } else {
            let mut prev = NIL;
            let mut cursor = self.head;
            // One slot lookup per step: this loop is the whole cost of a long-queue insert.
            while let Some(Slot::Used {
                priority: p, next, ..
            }) = self.slots.get(cursor)
            {
                if *p < priority {
                    break;
                }
                prev = cursor;
                cursor = *next;
            }
            prev
        };
        let next = if prev == NIL {
            self.head
        } else {
            self.next_of(prev)
        };
        let index = self.allocate(Slot::Used {
            element,
            priority,
            next,
        });
        if prev == NIL {
            self.head = index;
        } else {
            self.set_next(prev, index);
        }
        if next == NIL {
            self.tail = index;
        }
        self.len += 1;
    }

    fn delete_entry(&mut self) -> Option<(T, P)> {
        let index = self.head;
        let slot = self.slots.get_mut(index)?;
        let freed = Slot::Free {
            next_free: self.free,
        };
        match std::mem::replace(slot, freed) {
            Slot::Used {
                element,
                priority,
                next,
            } => {
                self.free = index;
                self.head = next;
                if next == NIL {
                    self.tail = NIL;
                }
                self.len -= 1;
                Some((element, priority))
            }
            free @ Slot::Free { .. } => {
                // Unreachable while the head links a used slot; restore and report empty.
                *slot = free;
                None
            }
        }
    }

    fn peek_entry(&self) -> Option<(&T, &P)> {
        self.entry(self.head)
    }

    fn peek(&self) -> Option<&T> {
        self.entry(self.head).map(|(element, _)| element)
    }

    fn len(&self) -> usize {
        self.len
    }
}
