// The one translation unit that compiles Asio, Beast and Boost.JSON; every other file sees only
// their headers (BOOST_*_SEPARATE_COMPILATION in meson.build). Asio's TLS layer is apart, in
// boost_ssl_impl.cpp, so the agent links no OpenSSL.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
#include <boost/json/src.hpp>
