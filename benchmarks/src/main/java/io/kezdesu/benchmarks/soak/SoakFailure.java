package io.kezdesu.benchmarks.soak;

/** One failed round; its message is the counter it is tallied under ({@code timeout_joined}, {@code alloc_486}). */
final class SoakFailure extends Exception {

    SoakFailure(String kind) {
        super(kind, null, false, false);
    }
}
