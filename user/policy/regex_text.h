/* regex_text.h: reads the text of a POSIX extended regular expression without compiling it. */
#ifndef MCPWARDEN_REGEX_TEXT_H
#define MCPWARDEN_REGEX_TEXT_H

/*
 * p points at the '[' that opens a bracket expression. Returns the character just past
 * its closing ']', or the terminating NUL when it is not closed. A ']' right after the
 * '[' or "[^" is a literal, and so is one inside [:class:], [.coll.] or [=equiv=]; a
 * backslash is an ordinary character inside brackets (POSIX), so "[^\n]" means neither
 * '\' nor 'n'.
 */
const char *regex_bracket_end(const char *p);

#endif
