% rebase('layout')
<h1>Free times</h1>
% if found:
<p class="summary">{{', '.join(s.name for s in found.services)}}: about {{duration(found.minutes)}},
  {{money(gross(found.price))}} including {{vat_rate()}}% VAT.</p>
<section aria-labelledby="day-title" class="free-day">
  <div class="month-nav">
    <h2 id="day-title">{{day(found.day, '%A %d %B %Y')}}</h2>
% if previous:
    <a class="button prev" href="{{previous}}" rel="prev">‹ <span>Day before</span></a>
% end
% if following:
    <a class="button next" href="{{following}}" rel="next"><span>Next day</span> ›</a>
% end
  </div>
% if found.slots:
  <ul class="slots free-times">
% for slot, href in links:
    <li><a class="slot" href="{{href}}" aria-label="Book {{local(slot.start, '%H:%M')}} on {{day(found.day, '%A %d %B')}}">{{local(slot.start, '%H:%M')}}</a></li>
% end
  </ul>
  <p>Choose a time to book it: {{'you choose your car next' if me else 'log in or sign up, then choose your car'}}; the time is held for you only once you confirm.</p>
% else:
  <p>There is no free time on this day{{!' for these services. <a href="%s">Try the next day</a>.' % following if following else '.'}}</p>
% end
</section>
<h2>Other services or another day</h2>
% else:
<p>Choose what your car needs and a day, and see when we can fit you in. You do not need an account to look.</p>
% end
% include('_errors', anchors={'service': 'service-error', 'date': 'date'}, fields=('service', 'date'), labels={'service': 'Services', 'date': 'Day'})
<form id="times-search" method="get" action="/times" class="form wide" novalidate>
% include('_service_choices')
% include('_field', name='date', label='Day', type='date', form=picked)
  <button type="submit" class="button primary">Show free times</button>
</form>
