// The one translation unit that compiles Asio, Asio's TLS layer, Beast and Boost.JSON; every
// other file sees only their headers (BOOST_*_SEPARATE_COMPILATION in meson.build).
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
#include <boost/json/src.hpp>
