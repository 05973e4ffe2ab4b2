// heap_probe: an LD_PRELOAD library for the bench scripts (soak.sh). When
// HEAP_PROBE_OUT is set, a thread rewrites the file "$HEAP_PROBE_OUT.<pid>"
// every HEAP_PROBE_PERIOD_MS (1000) with one line:
//   live_kb free_kb
// from glibc's mallinfo2(), summed over all arenas: the bytes in allocated
// chunks, in the arenas or mmapped on their own (the live heap), and the
// free bytes the arenas keep (freed, not given back to the system: resident
// once touched). So a growing resident set can be told apart: live heap that
// grows is the program's, free bytes that grow are the allocator's.
// Build: cc -O2 -shared -fPIC -o heap_probe.so heap_probe.c -lpthread
#define _GNU_SOURCE
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static void* Probe(void* unused) {
  (void)unused;
  const char* period_text = getenv("HEAP_PROBE_PERIOD_MS");
  long period_ms = period_text != NULL ? atol(period_text) : 1000;
  if (period_ms <= 0) period_ms = 1000;
  char path[4096];
  snprintf(path, sizeof(path), "%s.%d", getenv("HEAP_PROBE_OUT"), (int)getpid());
  char temporary[4200];
  snprintf(temporary, sizeof(temporary), "%s.tmp", path);
  struct timespec pause = {period_ms / 1000, (period_ms % 1000) * 1000000L};
  for (;;) {
    struct mallinfo2 info = mallinfo2();
    FILE* file = fopen(temporary, "w");
    if (file != NULL) {
      fprintf(file, "%zu %zu\n", (info.uordblks + info.hblkhd) / 1024, info.fordblks / 1024);
      fclose(file);
      rename(temporary, path);  // readers see a whole line
    }
    nanosleep(&pause, NULL);
  }
  return NULL;
}

__attribute__((constructor)) static void StartProbe(void) {
  if (getenv("HEAP_PROBE_OUT") == NULL) return;
  pthread_attr_t attributes;
  pthread_attr_init(&attributes);
  pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
  pthread_t thread;
  pthread_create(&thread, &attributes, Probe, NULL);
  pthread_attr_destroy(&attributes);
}
