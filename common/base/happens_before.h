#ifndef SIPFLEET_COMMON_BASE_HAPPENS_BEFORE_H_
#define SIPFLEET_COMMON_BASE_HAPPENS_BEFORE_H_

// ThreadSanitizer at the boundary with a library that is not built with it
// (Debian's gRPC): what TSan should check is our code; what it cannot see is
// the library's synchronisation. Three tools, all empty outside a TSan build:
//
//   HappensBefore(key) / HappensAfter(key): an ordering the library
//     guarantees (StartRead before its OnReadDone), declared at our side.
//   LibraryCall(key, call): our call into the library. It is ordered before
//     the reactions to it (HappensBefore(key) first) and the library's own
//     accesses inside it are not recorded: gRPC's header code (op sets,
//     callback tags) runs partly in our thread, partly on its threads before
//     any reaction can declare an edge, so each half would be reported
//     against the other.
//   Reaction(key): at the top of a library callback into our code
//     (OnReadDone...). Our accesses in it are recorded, after HappensAfter
//     (key); when it returns, the library thread's accesses stop being
//     recorded again (a library thread runs only gRPC's code outside our
//     reactions).
//
// So every access our code makes is checked, and every ordering claimed is
// one the library documents; the library's own accesses are not checked, as
// they were not in its uninstrumented .so either.

#include <memory>
#include <utility>

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SIPFLEET_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__) && !defined(SIPFLEET_TSAN)
#define SIPFLEET_TSAN 1
#endif

#ifdef SIPFLEET_TSAN
// Defined by TSan's runtime (tsan_interface_ann.cpp).
extern "C" void AnnotateHappensBefore(const char* file, int line, const volatile void* addr);
extern "C" void AnnotateHappensAfter(const char* file, int line, const volatile void* addr);
extern "C" void AnnotateIgnoreWritesBegin(const char* file, int line);
extern "C" void AnnotateIgnoreWritesEnd(const char* file, int line);
#endif

namespace sipfleet::base {

#ifdef SIPFLEET_TSAN
namespace tsan_internal {
// How many AnnotateIgnoreWritesBegin this thread has outstanding (they
// ignore reads and writes alike); all ended when the thread exits, as TSan
// reports a thread that ends while ignoring.
struct IgnoreDepth {
  int value = 0;
  void Set(int depth) {
    for (; value < depth; ++value) AnnotateIgnoreWritesBegin(__FILE__, __LINE__);
    for (; value > depth; --value) AnnotateIgnoreWritesEnd(__FILE__, __LINE__);
  }
  ~IgnoreDepth() { Set(0); }
};
inline thread_local IgnoreDepth ignore_depth;
inline void Ignore(int depth) { ignore_depth.Set(depth); }
}  // namespace tsan_internal
#endif

// Everything this thread did so far happens before whatever follows a later
// HappensAfter(key) on another thread.
inline void HappensBefore(const void* key) {
#ifdef SIPFLEET_TSAN
  if (key != nullptr) AnnotateHappensBefore(__FILE__, __LINE__, key);
#else
  (void)key;
#endif
}

inline void HappensAfter(const void* key) {
#ifdef SIPFLEET_TSAN
  if (key != nullptr) AnnotateHappensAfter(__FILE__, __LINE__, key);
#else
  (void)key;
#endif
}

// Calls `call` (a call into the library), after HappensBefore(key), without
// recording the accesses made inside it (but those of a Reaction it runs).
template <typename Call>
decltype(auto) LibraryCall(const void* key, Call&& call) {
#ifdef SIPFLEET_TSAN
  HappensBefore(key);
  struct Scope {
    int saved = tsan_internal::ignore_depth.value;
    Scope() { tsan_internal::Ignore(saved + 1); }
    ~Scope() { tsan_internal::Ignore(saved); }
  } scope;
  return std::forward<Call>(call)();
#else
  (void)key;
  return std::forward<Call>(call)();
#endif
}

// RAII, first thing in a library callback into our code (see above); a null
// key declares no edge. With `last`, the callback after which the library
// never calls this object again (OnDone): no HappensBefore(key) at the end,
// as the key may be gone.
class Reaction {
 public:
  explicit Reaction(const void* key, bool last = false) : key_(key), last_(last) {
#ifdef SIPFLEET_TSAN
    saved_ = tsan_internal::ignore_depth.value;
    tsan_internal::Ignore(0);
    HappensAfter(key_);
#endif
  }
  ~Reaction() {
#ifdef SIPFLEET_TSAN
    if (!last_) HappensBefore(key_);
    // Called inside a LibraryCall of ours: back to it; else on a library
    // thread, whose own code is not recorded from now on.
    tsan_internal::Ignore(saved_ > 0 ? saved_ : 1);
#endif
  }
  Reaction(const Reaction&) = delete;
  Reaction& operator=(const Reaction&) = delete;

 private:
  [[maybe_unused]] const void* key_;
  [[maybe_unused]] bool last_;
  [[maybe_unused]] int saved_ = 0;
};

// A new T, default-constructed, for a library to write on one of its
// threads before our code can declare any edge to it: gRPC deserializes a
// message read by a callback reactor on the thread that then runs
// OnReadDone, in its own code before our reaction starts. Under TSan the
// construction is not recorded (the memory is fresh: no other thread can
// hold it), so that write is not reported against whichever thread built
// the object; every later access of ours is checked as usual.
template <typename T>
std::unique_ptr<T> NewForLibraryThread() {
#ifdef SIPFLEET_TSAN
  AnnotateIgnoreWritesBegin(__FILE__, __LINE__);
  auto object = std::make_unique<T>();
  AnnotateIgnoreWritesEnd(__FILE__, __LINE__);
  return object;
#else
  return std::make_unique<T>();
#endif
}

}  // namespace sipfleet::base

#endif  // SIPFLEET_COMMON_BASE_HAPPENS_BEFORE_H_
