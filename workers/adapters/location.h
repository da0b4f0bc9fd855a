/*
 * Location type and employment type (location.c): a provider's flag or
 * free text to the few values jobs store.
 */

#ifndef JS_LOCATION_H
#define JS_LOCATION_H

/*
 * js_location_type: "remote", "hybrid", "onsite" or NULL.  hint is a
 * provider's explicit flag ("Remote", "OnSite", "TELECOMMUTE",
 * "hybrid"; NULL or "unspecified" for none) and wins; else the
 * location, then the title, are searched word-wise, case-insensitive:
 * "hybrid"; "remote", "anywhere", "WFH", "work from home",
 * "telecommute", "home based"; "on-site", "onsite", "in office";
 * "not remote" / "non-remote" is on-site.
 *
 * js_employment_type: "full_time", "part_time", "contract",
 * "internship", "temporary" or NULL, from any provider's spelling
 * ("Full-time", "FULL_TIME", "FullTime", "Permanent", "CONTRACTOR",
 * "freelance", "Intern", ...), first match in the order internship,
 * part_time, temporary, contract, full_time ("Full-time contract" is a
 * contract).  Lever's free-form commitments: "Full Time", "Permanent"
 * -> full_time; "Part Time", "Working Student" -> part_time; "Intern",
 * "Internship", "Apprenticeship", "Co-op" -> internship; "Contract",
 * "Contractor", "Freelance", "Fixed Term", "Contract to Hire" ->
 * contract; "Temporary", "Casual", "Seasonal", "Interim" and "Short
 * Term" -> temporary (short-term work ends, as temporary work does; a
 * contract is a kind of relation, which "Short Term" does not name).
 */
const char *js_location_type(const char *hint, const char *location,
    const char *title);
const char *js_employment_type(const char *s);

/* A place from its parts ("city", "region", "country"): the n parts
 * that are neither NULL nor empty, ", "-joined, as js_text_line gives
 * it (NULL when none, or out of memory). */
char *js_place_line(const char *const *parts, size_t n);

#endif /* JS_LOCATION_H */
