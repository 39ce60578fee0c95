package dev.kiln.resolver.solve;

import java.util.List;
import java.util.Map;

/**
 * A closed, consistent set of packages for one architecture.
 *
 * @param packages sorted by name
 * @param reasons for each package, why it is there ("requested", or "python3 Depends: libpython3.11-stdlib")
 */
public record Solution(String architecture, List<Candidate> packages, Map<String, String> reasons) {
    public Solution {
        packages = List.copyOf(packages);
        reasons = Map.copyOf(reasons);
    }
}
