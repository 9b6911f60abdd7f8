"""A local test portal: realistic TRS WCM, Hanweb JCMS and plain-HTML 预决算公开 columns with faults."""
