package dev.sluice.ops;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Lets every Actuator write operation take a POST exactly as {@code curl -X POST} sends it: no
 * body and no Content-Type. Boot maps a write operation that has parameters with a
 * {@code consumes} of the JSON media types, so such a request would get 415 and do nothing; this
 * filter gives a POST under {@code /actuator/} that names no Content-Type the type
 * {@code application/json}. An empty body then binds no arguments (query parameters still do), a
 * JSON body binds as before, and a request that names another type is left alone.
 */
final class BarePostContentType extends OncePerRequestFilter {

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !"POST".equals(request.getMethod())
                || request.getContentType() != null
                || !request.getRequestURI().startsWith(request.getContextPath() + "/actuator/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        chain.doFilter(new JsonTyped(request), response);
    }

    /** The request as it came, plus {@code Content-Type: application/json}. */
    private static final class JsonTyped extends HttpServletRequestWrapper {

        private static final String JSON = MediaType.APPLICATION_JSON_VALUE;

        JsonTyped(HttpServletRequest request) {
            super(request);
        }

        @Override
        public String getContentType() {
            return JSON;
        }

        @Override
        public String getHeader(String name) {
            return isContentType(name) ? JSON : super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            return isContentType(name) ? Collections.enumeration(List.of(JSON)) : super.getHeaders(name);
        }

        @Override
        public Enumeration<String> getHeaderNames() {
            List<String> names = new ArrayList<>(Collections.list(super.getHeaderNames()));
            names.add(HttpHeaders.CONTENT_TYPE);
            return Collections.enumeration(names);
        }

        private static boolean isContentType(String name) {
            return HttpHeaders.CONTENT_TYPE.equalsIgnoreCase(name);
        }
    }
}
